-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
SELECT 1;
INSERT INTO t VALUES ('oops);
SELECT 2;

-- +downgrade
SELECT 1;
