-- renames
--
-- Revision ID: e06
-- Revises: e05

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE orders RENAME TO purchases;
