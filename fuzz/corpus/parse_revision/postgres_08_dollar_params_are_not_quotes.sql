-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
PREPARE q (int, int) AS SELECT $1 + $2;
EXECUTE q(1, 2);

-- +downgrade
SELECT 1;
