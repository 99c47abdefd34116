-- case
-- Revision ID: c1
-- Revises:
-- +upgrade

-- +downgrade
SELECT 1;
