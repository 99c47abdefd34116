-- Add user roles
--
-- Revision ID: 2b7d91c0e3a4
-- Revises: 1a0c4e5f9b21
-- Branch Labels: accounts
-- Create Date: 2026-11-21 10:15:00+00:00

-- +upgrade
CREATE TABLE user_roles (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role varchar(64) NOT NULL,
    granted_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, role)
);

-- +downgrade
DROP TABLE user_roles;
