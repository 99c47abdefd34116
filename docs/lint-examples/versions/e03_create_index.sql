-- create_index
--
-- Revision ID: e03
-- Revises: e02

-- +upgrade
SET lock_timeout = '2s';
CREATE INDEX users_email ON users (email);
