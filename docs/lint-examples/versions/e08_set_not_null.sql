-- set_not_null
--
-- Revision ID: e08
-- Revises: e07

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
