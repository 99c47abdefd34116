-- Revision ID: a
-- +upgrade
SELECT 'oops;
-- +downgrade
SELECT $$ never closed;
