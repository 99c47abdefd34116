-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
SELECT 1;
CREATE FUNCTION f() RETURNS int AS $$
SELECT 1;

-- +downgrade
SELECT 1;
