CREATE TABLE [odd;name] (id int);
SELECT 1;
