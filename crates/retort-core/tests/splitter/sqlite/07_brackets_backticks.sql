CREATE TABLE [weird;table] ([col;one] int, `col;two` int);
SELECT [weird;table].[col;one] FROM [weird;table];
