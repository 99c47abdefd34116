-- Accounts
--
-- Revision ID: 1a0000000001
-- Revises:
-- Create Date: 2026-12-06 08:00:00+00:00

-- +upgrade
CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'enterprise')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_name ON accounts (lower(name));

-- +downgrade
DROP TABLE accounts;
