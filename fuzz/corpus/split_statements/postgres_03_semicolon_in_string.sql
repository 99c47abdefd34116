INSERT INTO t (s) VALUES ('a;b'), ('it''s; here');
SELECT ';';
