"""region"""
