-- Create accounts
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-12-06 06:00:00+00:00

-- +upgrade
CREATE TABLE accounts (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL
);

-- +downgrade
DROP TABLE accounts;
