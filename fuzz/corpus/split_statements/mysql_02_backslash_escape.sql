INSERT INTO t VALUES ('it\'s; ok'), ("dq\"; ok");
SELECT 2;
