-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
-- leading; comment
SELECT 1; -- trailing; comment
/* block; comment */ SELECT 2;

-- +downgrade
SELECT 1;
