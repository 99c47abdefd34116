-- nothing here
/* or here */
