"""Personal data in open answers: finding it with deduce and replacing it by numbered tags."""
