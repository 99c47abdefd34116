-- Seed accounts
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-12-06 06:01:00+00:00

-- +upgrade
INSERT INTO accounts (id, name) VALUES (1, 'first');
INSERT INTO accounts (id, name) VALUES (2, 'second');

-- +downgrade
DELETE FROM accounts WHERE id IN (1, 2);
