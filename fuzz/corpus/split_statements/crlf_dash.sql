SELECT 5--1
;
