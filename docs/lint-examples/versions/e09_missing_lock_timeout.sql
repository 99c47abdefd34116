-- missing_lock_timeout
--
-- Revision ID: e09
-- Revises: e08

-- +upgrade
ALTER TABLE users ADD COLUMN nickname text;
