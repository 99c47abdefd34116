-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE TABLE [weird;table] ([col;one] int, `col;two` int);
SELECT [weird;table].[col;one] FROM [weird;table];

-- +downgrade
SELECT 1;
