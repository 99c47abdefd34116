-- x
-- Revises: a
-- +upgrade
SELECT 1;
