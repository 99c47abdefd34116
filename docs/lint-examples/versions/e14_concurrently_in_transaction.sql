-- concurrently_in_transaction
--
-- Revision ID: e14
-- Revises: e13

-- +upgrade
CREATE INDEX CONCURRENTLY users_token ON users (token);
