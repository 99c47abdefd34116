-- enum_value_used
--
-- Revision ID: e10
-- Revises: e09

-- +upgrade
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN mood mood;
ALTER TYPE mood ADD VALUE 'sad';
UPDATE users SET mood = 'sad' WHERE id = 1;
