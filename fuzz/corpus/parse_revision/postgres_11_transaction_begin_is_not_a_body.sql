-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
BEGIN;
CREATE TABLE x (id int);
COMMIT;

-- +downgrade
SELECT 1;
