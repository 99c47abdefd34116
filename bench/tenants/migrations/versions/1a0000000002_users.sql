-- Users, each in an account
--
-- Revision ID: 1a0000000002
-- Revises: 1a0000000001
-- Create Date: 2026-12-06 08:01:00+00:00

-- +upgrade
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email text NOT NULL UNIQUE,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_account_id ON users (account_id);

-- +downgrade
DROP TABLE users;
