"""亩均论英雄: land-efficiency data, figures, classes, low-efficiency land and targets."""
