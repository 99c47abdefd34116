-- Create notes
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-12-06 06:02:00+00:00

-- +upgrade
CREATE TABLE notes (
    id integer PRIMARY KEY,
    account_id integer NOT NULL REFERENCES accounts (id),
    body varchar(200) NOT NULL
);

-- +downgrade
DROP TABLE notes;
