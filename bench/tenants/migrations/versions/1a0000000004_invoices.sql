-- Invoices per account
--
-- Revision ID: 1a0000000004
-- Revises: 1a0000000003
-- Create Date: 2026-12-06 08:03:00+00:00

-- +upgrade
CREATE TABLE invoices (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    status text NOT NULL DEFAULT 'open',
    issued_at date NOT NULL DEFAULT current_date
);
CREATE INDEX invoices_account_issued ON invoices (account_id, issued_at);
INSERT INTO invoices (account_id, amount, status)
SELECT 1 + g % 3, g * 10.5, CASE WHEN g % 2 = 0 THEN 'paid' ELSE 'open' END
FROM generate_series(1, 10) AS g;

-- +downgrade
DROP TABLE invoices;
