"""City goals: progress against targets, interventions and the event markers on charts."""
