INSERT INTO t VALUES (E'it\'s; escaped');
SELECT 2;
