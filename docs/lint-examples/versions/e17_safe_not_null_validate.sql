-- safe_not_null_validate
--
-- Revision ID: e17
-- Revises: e16

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users VALIDATE CONSTRAINT users_nickname_nn;
ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;
