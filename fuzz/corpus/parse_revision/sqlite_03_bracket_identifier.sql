-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE TABLE [odd;name] (id int);
SELECT 1;

-- +downgrade
SELECT 1;
