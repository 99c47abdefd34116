-- add_not_null_column
--
-- Revision ID: e02
-- Revises: e01

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN age integer NOT NULL;
