-- volatile_default
--
-- Revision ID: e12
-- Revises: e11

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN seq bigserial;
