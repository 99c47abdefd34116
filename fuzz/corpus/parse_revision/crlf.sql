-- m
-- Revision ID: a
-- Revises: 

-- +upgrade
SELECT 1;
-- +downgrade
SELECT 2;
