-- change_column_type
--
-- Revision ID: e05
-- Revises: e04

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
