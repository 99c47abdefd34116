-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
SELECT 1;
-- c
SELECT
  2;

-- +downgrade
SELECT 1;
