-- Merge roles and templates
--
-- Revision ID: 4d8f6b1a2c39
-- Revises: 2b7d91c0e3a4, 3c5e2a8f7d16
-- Create Date: 2026-11-22 08:00:00+00:00

-- +upgrade

-- +downgrade
