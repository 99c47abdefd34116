-- Create users
--
-- The accounts of the resume service. Written from the service's original
-- Alembic revision; portable between SQLite and PostgreSQL.
--
-- Revision ID: 1a0c4e5f9b21
-- Revises:
-- Create Date: 2026-11-20 09:00:00+00:00

-- +upgrade
CREATE TABLE users (
    id integer PRIMARY KEY,
    username varchar(255) NOT NULL UNIQUE,
    email varchar(255) NOT NULL UNIQUE,
    hashed_password varchar(255) NOT NULL,
    is_active boolean DEFAULT true,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_username ON users (username);

-- +downgrade
DROP TABLE users;
