-- safe_not_null_check
--
-- Revision ID: e16
-- Revises: e15

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_nickname_nn CHECK (nickname IS NOT NULL) NOT VALID;
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
