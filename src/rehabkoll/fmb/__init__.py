"""Decision support, part 1 (beslutsstöd): Socialstyrelsen's recommended
sick-leave lengths per diagnosis (FMB, försäkringsmedicinskt beslutsstöd) and
the project's own "tänk på" advice per diagnosis group."""
