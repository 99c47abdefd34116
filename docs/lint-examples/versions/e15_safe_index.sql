-- safe_index
--
-- Revision ID: e15
-- Revises: e14
-- Transaction: false

-- +upgrade
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY users_nickname ON users (nickname);
