-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
-- nothing here
/* or here */

-- +downgrade
SELECT 1;
