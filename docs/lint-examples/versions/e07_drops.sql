-- drops
--
-- Revision ID: e07
-- Revises: e06

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users DROP COLUMN full_name;
DROP TABLE purchases;
