-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
BEGIN;
CREATE TABLE a (id int);
END;

-- +downgrade
SELECT 1;
