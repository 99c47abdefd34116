-- Seed rows: three accounts and twenty users
--
-- Revision ID: 1a0000000003
-- Revises: 1a0000000002
-- Create Date: 2026-12-06 08:02:00+00:00

-- +upgrade
INSERT INTO accounts (name, plan) VALUES ('Acme', 'team'), ('Globex', 'free'), ('Initech', 'enterprise');
INSERT INTO users (account_id, email, display_name)
SELECT a.id, 'user' || g || '@' || lower(a.name) || '.example', 'User ' || g
FROM generate_series(1, 20) AS g
JOIN accounts AS a ON a.id = 1 + g % 3;

-- +downgrade
DELETE FROM users;
DELETE FROM accounts;
