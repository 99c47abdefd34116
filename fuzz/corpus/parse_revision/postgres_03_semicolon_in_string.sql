-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
INSERT INTO t (s) VALUES ('a;b'), ('it''s; here');
SELECT ';';

-- +downgrade
SELECT 1;
