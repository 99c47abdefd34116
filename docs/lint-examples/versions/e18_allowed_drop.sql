-- allowed_drop
--
-- Revision ID: e18
-- Revises: e17
-- retort-lint: allow dropping-column

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users DROP COLUMN token;
