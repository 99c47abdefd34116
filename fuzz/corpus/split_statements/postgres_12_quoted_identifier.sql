CREATE TABLE "we;ird ""name""" (id int);
SELECT 1;
