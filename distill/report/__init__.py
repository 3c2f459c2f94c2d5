"""Side-by-side reports: tables and plots of eval results, filter funnels and training curves."""
