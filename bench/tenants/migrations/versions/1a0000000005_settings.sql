-- Per-account settings and the users' last login
--
-- Revision ID: 1a0000000005
-- Revises: 1a0000000004
-- Create Date: 2026-12-06 08:04:00+00:00

-- +upgrade
ALTER TABLE users ADD COLUMN last_login timestamptz;
CREATE TABLE settings (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    options jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO settings (account_id) SELECT id FROM accounts;

-- +downgrade
DROP TABLE settings;
ALTER TABLE users DROP COLUMN last_login;
