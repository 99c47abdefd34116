-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
INSERT INTO t VALUES ('it\'s; ok'), ("dq\"; ok");
SELECT 2;

-- +downgrade
SELECT 1;
