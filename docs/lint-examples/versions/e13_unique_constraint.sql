-- unique_constraint
--
-- Revision ID: e13
-- Revises: e12

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
